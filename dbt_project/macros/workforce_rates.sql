{#-
    The one home of the DfE workforce rate definitions. Every model computes its rates through
    these macros, so a definition can only ever change in one place.
-#}

{#- numerator / denominator as a percentage (0-100), unrounded; NULL when the denominator is 0
    or NULL, which publication marks as "z" (not applicable). -#}
{% macro safe_percentage(numerator, denominator) -%}
    (100.0 * ({{ numerator }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- DfE: vacancy rate = vacancy FTE / (vacancy FTE + permanent FTE in post). -#}
{% macro vacancy_rate(vacancy_fte, permanent_fte) -%}
    {{ safe_percentage(vacancy_fte, "(" ~ vacancy_fte ~ " + " ~ permanent_fte ~ ")") }}
{%- endmacro %}

{#- DfE: agency rate = agency FTE / (agency FTE + permanent FTE in post). -#}
{% macro agency_rate(agency_fte, permanent_fte) -%}
    {{ safe_percentage(agency_fte, "(" ~ agency_fte ~ " + " ~ permanent_fte ~ ")") }}
{%- endmacro %}
