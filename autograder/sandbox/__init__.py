"""Runs untrusted student code in a confined child process (see jail.py)."""
