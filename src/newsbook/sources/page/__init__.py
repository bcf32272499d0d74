"""Helpers for reading one HTML page (sources/html.py): the page's metadata signals and
what judges them (titles, bylines, pagemeta), and the pieces of its body that are not
prose (captions, chunks, embeds, promos). In: an lxml tree or its text; out: plain
values (a title, authors, a date, cleaned-up markup) for html.py's Article.
"""
