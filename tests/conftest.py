from kit import corpus_checks, corpus_folder, corpus_grades  # noqa: F401  (session fixtures shared by the test modules)
