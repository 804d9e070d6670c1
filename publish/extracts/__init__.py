"""Benchmark extracts: what leaves the warehouse each month, and in what shape.

One module per job, data flowing one way (marts -> frames -> tables -> files):

* ``indicators``  the one home of every published indicator (name, label, unit, places,
  theme, support) and of the rate arithmetic the extracts redo on summed components;
* ``marts``       reads the marts and the ledger for a month and its 12-month window;
* ``benchmark``   the members' benchmark (named councils, no suppression);
* ``partner``     the partner extract in the DfE open-data layout, with disclosure control;
* ``ees_screener`` the DfE's EES screening rules, run on every partner data/meta pair;
* ``packs``       one "you against the region" pack per council: workforce (suppressed like a
  partner's), agency (every role, suppression.decide_agency_month) and pay (per role);
* ``workbooks``   the Excel files of the benchmark and the packs;
* ``register``    partners and the data-sharing register (dbt seeds);
* ``files``       bytes (CSV, Parquet), checksums, manifests and atomic publication.

Every builder takes DataFrames, so it is testable without a warehouse or dbt.
"""
