"""A generic, sandboxed autograder for NumPy assignments; see README.md."""
