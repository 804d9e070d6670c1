{#-
    Fails for each row that ends before it starts, or whose period overlaps another period of
    the same key (the last day is inclusive; empty means still in force), so at most one row is
    in force for a key on any day and a join on the row "in force on a day" cannot duplicate
    a row. One rule for every effective-dated seed: the mappings, the caps, the on-cost
    defaults.
-#}
{% test periods_do_not_overlap(model, key_columns, from_column, to_column) %}

    with

    periods as (

        select
            {% for key in key_columns %}{{ key }}, {% endfor %}
            {{ from_column }} as period_from,
            coalesce({{ to_column }}, date '9999-12-31') as period_to
        from {{ model }}

    ),

    backwards as (

        select
            {% for key in key_columns %}{{ key }}, {% endfor %}
            period_from,
            'ends before it starts' as problem
        from periods
        where period_to < period_from

    ),

    overlapping as (

        select
            {% for key in key_columns %}earlier.{{ key }}, {% endfor %}
            later.period_from,
            'overlaps the period from ' || cast(earlier.period_from as varchar) as problem
        from periods as earlier
        inner join periods as later
            on
                {% for key in key_columns %}earlier.{{ key }} = later.{{ key }} and {% endfor %}
                earlier.period_from < later.period_from
                and earlier.period_to >= later.period_from

    )

    select * from backwards
    union all
    select * from overlapping

{% endtest %}
