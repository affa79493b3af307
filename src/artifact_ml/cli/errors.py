"""The error type that command-line handlers raise for bad user input."""


class CLIError(Exception):
    """Bad input to a sub-command; ``main`` prints the message on one line and exits with 2."""
