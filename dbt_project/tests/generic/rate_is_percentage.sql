{#-
    Fails for every row whose rate is outside 0-100. NULL passes: it means the denominator
    was zero (published as "z").
-#}
{% test rate_is_percentage(model, column_name) %}

    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < 0 or {{ column_name }} > 100

{% endtest %}
