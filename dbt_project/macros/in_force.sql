{#-
    The one definition of "this reference row is in force on that day" for effective-dated
    seeds (mappings, caps): from its first day to its last day inclusive; an empty last day
    means it is still in force.
-#}
{% macro in_force_on(day, relation, starts='valid_from', ends='valid_to') -%}
    (
        {{ day }} >= {{ relation }}.{{ starts }}
        and ({{ relation }}.{{ ends }} is null or {{ day }} <= {{ relation }}.{{ ends }})
    )
{%- endmacro %}
