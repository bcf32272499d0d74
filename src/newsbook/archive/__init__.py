"""Archiving at scale: one issue per day, week or month, built on a local pool or Dask cluster.

plan (periods, sources, keys) -> executors (local processes or Dask) -> run (files, manifest,
index); pdfa adds the article sources to each PDF/A-3u file.
"""
