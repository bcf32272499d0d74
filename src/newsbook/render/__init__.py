"""Rendering: an Issue through Jinja templates into text. In: the Issue, a templates
folder and theme options (render/themes.py); out: the rendered documents (XHTML pages,
the print HTML) and the generated cover image, for the builders. environment.py holds
Theme (the Jinja environment and its filters), chainloader.py lets a project's
templates extend the built-in ones, cover.py draws the cover.
"""
