{#-
    The one home of the DfE price cap comparison (DOMAIN.md, Agency rules: "Child and family
    social workers: agency rules"). The cap is what a council may pay for a locum engaged
    through a limited company or an umbrella company, including the worker's hourly pay,
    employer National Insurance and holiday pay; for a PAYE locum those on-costs are taken off
    the cap. So:

    - umbrella / limited company: comparable rate = pay + employer NI + holiday pay, against
      the cap;
    - PAYE: comparable rate = pay, against the cap net of employer NI and holiday pay.

    Either way an assignment is above the cap when pay + on-costs is above the cap, to the
    penny; the two bases differ only in which figures are shown (and so in the excess as a
    percentage). A cap that covers pay alone (cap_includes = 'pay': the MoC's caps before the
    DfE rules) compares the hourly pay with the cap, whatever the engagement model.

    On-costs are the return's own figures where the council gave them, else the documented
    default for the engagement model (seed agency_on_cost_defaults). Every figure is an exact
    measure (macros/exact_numbers.sql).
-#}

{#- How the comparison is made: 'pay_only' (a cap on pay alone), 'pay_plus_on_costs'
    (umbrella or limited company), 'pay_against_net_cap' (PAYE); NULL when the cap covers
    on-costs but the engagement model is not known (a return from before 2025-10). -#}
{% macro cap_comparison_basis(engagement_model, cap_includes) -%}
    (case
        when {{ cap_includes }} = 'pay' then 'pay_only'
        when {{ cap_includes }} = 'pay_employer_ni_holiday_pay'
            and {{ engagement_model }} in ('umbrella', 'limited_company')
            then 'pay_plus_on_costs'
        when {{ cap_includes }} = 'pay_employer_ni_holiday_pay'
            and {{ engagement_model }} = 'paye'
            then 'pay_against_net_cap'
    end)
{%- endmacro %}

{#- Holiday pay per hour: the return's figure, else pay x the default rate. -#}
{% macro agency_hourly_holiday_pay(hourly_pay_rate, holiday_pay_hourly, default_holiday_pay_rate) -%}
    coalesce(
        {{ holiday_pay_hourly }},
        {{ exact_measure("(" ~ hourly_pay_rate ~ ") * (" ~ default_holiday_pay_rate ~ ")") }}
    )
{%- endmacro %}

{#- Employer NI and holiday pay per hour: each the return's figure, else its default (employer
    NI on pay + holiday pay, as NI is charged on holiday pay too). -#}
{% macro agency_hourly_on_costs(
    hourly_pay_rate, employer_ni_hourly, holiday_pay_hourly,
    default_employer_ni_rate, default_holiday_pay_rate
) -%}
    {%- set holiday_pay = agency_hourly_holiday_pay(
        hourly_pay_rate, holiday_pay_hourly, default_holiday_pay_rate
    ) -%}
    ({{ holiday_pay }} + coalesce(
        {{ employer_ni_hourly }},
        {{ exact_measure(
            "((" ~ hourly_pay_rate ~ ") + " ~ holiday_pay ~ ") * (" ~ default_employer_ni_rate ~ ")"
        ) }}
    ))
{%- endmacro %}

{#- The hourly rate compared with the cap (cap_comparison_basis says how). -#}
{% macro cap_comparable_rate(hourly_pay_rate, hourly_on_costs, comparison_basis) -%}
    (case {{ comparison_basis }}
        when 'pay_only' then {{ hourly_pay_rate }}
        when 'pay_plus_on_costs' then ({{ hourly_pay_rate }}) + ({{ hourly_on_costs }})
        when 'pay_against_net_cap' then {{ hourly_pay_rate }}
    end)
{%- endmacro %}

{#- The cap the comparable rate is compared with: the cap, or for PAYE the cap net of the
    on-costs. -#}
{% macro cap_comparable_cap(cap_hourly_pay, hourly_on_costs, comparison_basis) -%}
    (case {{ comparison_basis }}
        when 'pay_only' then {{ cap_hourly_pay }}
        when 'pay_plus_on_costs' then {{ cap_hourly_pay }}
        when 'pay_against_net_cap' then ({{ cap_hourly_pay }}) - ({{ hourly_on_costs }})
    end)
{%- endmacro %}

{#- True when the comparable rate is above the comparable cap: pay + on-costs (or pay alone
    for a cap on pay) above the cap, compared to the penny (a daily rate converted to hourly
    and a default on-cost carry digits beyond it); NULL when no cap applies or the basis is
    not known. -#}
{% macro is_above_comparable_cap(comparable_rate, comparable_cap, cap_hourly_pay) -%}
    (round(({{ comparable_rate }}) + ({{ cap_hourly_pay }}) - ({{ comparable_cap }}), 2)
        > {{ cap_hourly_pay }})
{%- endmacro %}
