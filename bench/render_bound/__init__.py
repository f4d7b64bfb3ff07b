"""The story page with its story held in memory: how fast the page can be when reading the
story costs nothing. See ``bench/README.md``, "The story page's ceiling"."""
