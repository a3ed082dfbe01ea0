"""The static export behind Debian's Apache with the shipped ``hosting/apache/.htaccess``.

The linked-data suite's own tests, unchanged, for what the Apache rules do: 303s, content
negotiation with ``Vary``/``Content-Location``/``Link``, suffix URLs, 404s in the format asked for,
406, HEAD, CORS and immutable release files. Not yet here (README, "Hosting"): gzip of the
export's ``.gz`` copies and CORS preflight answers, which only the nginx rules give so far.
"""

from __future__ import annotations

import pytest

from tests.test_linked_data_deref import (  # noqa: F401 (collected here, against Apache)
    test_dataset_iri_resolves,
    test_document_negotiates,
    test_following_the_303_gives_turtle,
    test_id_answers_303_to_its_document,
    test_id_with_suffix_redirects_to_that_format,
    test_ontology_version_iri_redirects,
    test_suffix_urls_always_work_and_link_alternates,
    test_unacceptable_is_406,
    test_unknown_iris_are_404_in_the_format_asked_for,
)
from tests.test_linked_data_http import (  # noqa: F401
    release_info,
    test_cors_everywhere,
    test_head_works_everywhere,
    test_versioned_downloads_are_immutable,
)


@pytest.fixture(scope="module")
def server(apache_export_server):
    return apache_export_server
