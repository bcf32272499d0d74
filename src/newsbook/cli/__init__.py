"""The command line: click commands (commands.py), what they print (terminal.py), and the
send, check and init scaffolding helpers. Thin: every command parses its options, calls
the build or a feature package, and prints the result.
"""
