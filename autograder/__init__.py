"""A generic, sandboxed autograder for NumPy assignments; see README.md."""
import sys

# jsonschema imports rfc3987_syntax whenever it is installed (nbgrader's dependencies bring
# it), and that module builds a grammar at import: about 2 s for every grading process.
# Nothing here validates IRIs, so it is kept out.
sys.modules.setdefault("rfc3987_syntax", None)
