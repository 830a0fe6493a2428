"""Rankings app: methodologies (data), surveys, runs, publication."""
