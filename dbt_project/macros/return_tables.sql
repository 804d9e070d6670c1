{#-
    Written by `moc dbt-sources` (transform/dbt_sources.py) from ingest/return_contract.py.
    Edit what it is written from, never this file.
-#}

{#- The return tables, by their names in the return contract, in its order. -#}
{% macro return_tables() -%}
    {{ return(['establishment', 'agency_assignments', 'pay_scales', 'workforce', 'census_la']) }}
{%- endmacro %}
