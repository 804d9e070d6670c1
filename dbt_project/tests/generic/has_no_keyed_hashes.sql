{#-
    Fails for every row in which any text column holds a keyed hash (64 hexadecimal digits:
    the HMAC-SHA256 of a SWE number or an assignment reference, ingest/pseudonymise.py), and
    for any column named like a key (`*_key`). For marts that must show what was linked
    without the identifiers it was linked by (fct_cooling_off_flags).
-#}
{% test has_no_keyed_hashes(model) %}

    {%- set columns = adapter.get_columns_in_relation(model) -%}
    {%- set key_columns = [] -%}
    {%- set text_columns = [] -%}
    {%- for column in columns -%}
        {%- if column.name.lower().endswith('_key') -%}
            {%- do key_columns.append(column) -%}
        {%- elif column.is_string() -%}
            {%- do text_columns.append(column) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if key_columns %}
    select '{{ key_columns[0].name }}' as offending_column
    {%- elif text_columns %}
    select offending_column
    from (
        {%- for column in text_columns %}
        select '{{ column.name }}' as offending_column
        from {{ model }}
        where regexp_full_match(cast({{ adapter.quote(column.name) }} as varchar), '[0-9a-fA-F]{64}')
        {{ "union all" if not loop.last }}
        {%- endfor %}
    ) as hashed
    {%- else %}
    select null as offending_column where false
    {%- endif %}

{% endtest %}
