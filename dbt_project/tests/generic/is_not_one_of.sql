{#-
    Fails for every row whose value is one of the given values (NULL passes). Keeps reserved
    codes, such as the census-only not_recorded role and service area, out of the mappings a
    project lead edits.
-#}
{% test is_not_one_of(model, column_name, values) %}

    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} in (
        {%- for value in values %}'{{ value }}'{{ "," if not loop.last }}{% endfor -%}
    )

{% endtest %}
