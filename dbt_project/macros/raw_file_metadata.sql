{#-
    The file metadata every raw return table carries (ingest.warehouse.RAW_METADATA_COLUMNS),
    typed once for all the staging models: the ids at the top of a model's columns, the
    snapshot date and file time at the bottom.
-#}

{#- The raw file's ids: ledger row, file hash, council, period and row of the file. -#}
{% macro raw_file_metadata_ids() -%}
    cast(ledger_id as bigint) as ledger_id,
        file_sha256,
        cast(council_code as varchar) as council_code,
        cast(period as varchar) as period,
        cast(source_row_number as integer) as source_row_number
{%- endmacro %}

{#- The month-end date of the return's period and the time the file was received. -#}
{% macro raw_file_metadata_timestamps() -%}
    last_day(cast(period || '-01' as date)) as month_end_date,
        cast(received_at as timestamp) as received_at
{%- endmacro %}
