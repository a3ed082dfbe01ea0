"""``mwg-graph export DIR``: the current release as a static site any web server or CDN can serve.

An NGO network rarely has someone to keep a Python server alive; a folder of files needs nobody.
The site is rendered by the application itself (:mod:`.site`), one request per URL, so a page of
the export is the page ``mwg-graph serve`` gives; :mod:`.layout` says which file each URL becomes,
:mod:`.files` writes them (deterministically, only when their bytes changed), and the rules in
``hosting/nginx/`` and ``hosting/apache/`` give the files back their content negotiation.
"""
