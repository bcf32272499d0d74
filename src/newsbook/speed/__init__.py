"""The machinery that makes builds fast, none of which changes what a build makes: the
article cache, reading ahead and prerendering on worker processes, the PDF laid out in
parts, the up-to-date checks and the quick launcher. A reader following the stages can
skip this package: the single-process path is the reference, and the tests hold the
parallel and cached paths to the same outputs. The build calls it through shortcuts.py
alone (and collect.py, for reading many files on worker processes).
"""
