{#-
    Use the custom schema name as it is (staging, intermediate, marts, reference) rather than
    dbt's default "<target schema>_<custom schema>", so readers and extracts find the marts at
    a stable name such as marts.fct_vacancies whatever the target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
