"""The HTML pages: a student's feedback.html, the class's summary.html, and their figures."""
