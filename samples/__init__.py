"""Sample data for the demo, the tests and the benchmarks: deterministic returns in each
council's own vocabulary (``returns``: a council's return for a month and a bucket of them;
``councils``: council sizes and structure; ``establishment``, ``agency``, ``pay``,
``workforce``: one table each; ``return_files``: writing them as councils send them), DfE census
XML (``census``) and files with the mistakes councils make (``faults``)."""
