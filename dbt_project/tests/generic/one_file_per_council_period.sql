{#-
    Fails for every council and period whose rows come from more than one file (ledger_id):
    a model of current versions holds exactly one file per council and period.
-#}
{% test one_file_per_council_period(model) %}

    select
        council_code,
        period,
        count(distinct ledger_id) as file_count
    from {{ model }}
    group by council_code, period
    having count(distinct ledger_id) > 1

{% endtest %}
