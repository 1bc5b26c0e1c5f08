# attack: a top-level `while True: pass` that would hang the grader if top-level code were run
# loses:
while True:
    pass
