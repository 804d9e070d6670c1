{#-
    The one home of the money formulas (DOMAIN.md, Harmonisation: Money). Every model that
    normalises pay or agency rates, or compares agency with permanent cost, calls these macros,
    so an assumption (a 37-hour week, a 5-day week, 52.143 weeks a year) changes in one place.
    Amounts are pounds, unrounded. Ingest already rejects rates and salaries outside plausible
    ranges (pence typed as pounds, ingest/suites.py), so no pence guard is applied here.
-#}

{#- The regional standard full-time week, in hours: salaries are compared at 37 hours and a
    daily agency rate is a rate for a fifth of this week. -#}
{% macro standard_weekly_hours() -%}
    37.0
{%- endmacro %}

{#- Working days in a full-time week. -#}
{% macro working_days_per_week() -%}
    5.0
{%- endmacro %}

{#- Weeks in a year: 365.25 days / 7 = 52.18 would count leap days; 52.143 (365 / 7) is the
    usual payroll figure. -#}
{% macro weeks_per_year() -%}
    52.143
{%- endmacro %}

{#- Hours in a working day of a full-time week: weekly hours / 5 (7.4 at 37 hours). -#}
{% macro hours_per_day(full_time_weekly_hours) -%}
    (({{ full_time_weekly_hours }}) / {{ working_days_per_week() }})
{%- endmacro %}

{#- A daily rate as an hourly rate: daily rate / hours per day of the full-time week. The day is
    a full-time day, whatever the assignment's own hours per week (a part-time worker works
    fewer days, not shorter ones). Computed as daily x 5 / weekly hours, the same figure with
    one rounding fewer (207.20 / 7.4 gives 27.999999999999996 in floating point, 207.20 x 5 / 37
    gives 28.0). -#}
{% macro hourly_from_daily(daily_rate, full_time_weekly_hours) -%}
    {{ exact_measure(
        "(" ~ daily_rate ~ ") * " ~ working_days_per_week() ~ " / (" ~ full_time_weekly_hours ~ ")"
    ) }}
{%- endmacro %}

{#- A rate on its basis ('hourly' or 'daily') as an hourly rate; NULL for any other basis. -#}
{% macro hourly_rate(rate, rate_basis, full_time_weekly_hours) -%}
    (case {{ rate_basis }}
        when 'hourly' then {{ rate }}
        when 'daily' then {{ hourly_from_daily(rate, full_time_weekly_hours) }}
    end)
{%- endmacro %}

{#- An annual full-time salary on a scale of `weekly_hours` a week, restated for a
    37-hour week: salary x 37 / weekly hours. -#}
{% macro annual_salary_at_standard_hours(salary, weekly_hours) -%}
    {{ exact_measure(
        "(" ~ salary ~ ") * " ~ standard_weekly_hours() ~ " / nullif(" ~ weekly_hours ~ ", 0)"
    ) }}
{%- endmacro %}

{#- Midpoint of a salary range: (minimum + maximum) / 2. -#}
{% macro salary_midpoint(salary_min, salary_max) -%}
    {{ exact_measure("((" ~ salary_min ~ ") + (" ~ salary_max ~ ")) / 2.0") }}
{%- endmacro %}

{#- What a council pays for a full-time post a year, permanent: midpoint salary at 37 hours +
    annual market supplement + annual retention payment (blank counts as 0). No employer
    on-costs (pension, National Insurance) and no one-off recruitment payment. -#}
{% macro permanent_annual_cost(salary_midpoint_at_standard_hours, market_supplement, retention_payment) -%}
    (({{ salary_midpoint_at_standard_hours }})
        + coalesce({{ market_supplement }}, 0)
        + coalesce({{ retention_payment }}, 0))
{%- endmacro %}

{#- What an agency worker costs a council a year, full time: hourly charge rate x 37 hours x
    52.143 weeks. The charge rate already includes the agency's margin. -#}
{% macro annualised_agency_cost(hourly_charge_rate) -%}
    {{ exact_measure(
        "(" ~ hourly_charge_rate ~ ") * " ~ standard_weekly_hours() ~ " * " ~ weeks_per_year()
    ) }}
{%- endmacro %}

{#- Weeks of the month (first_day to last_day) in which an assignment was open: days open in
    the month, both ends included, / 7; 0 if it was not open at all. A NULL end date is
    open-ended. A whole month is days in the month / 7 (4.43 weeks for 31 days). -#}
{% macro weeks_open_in_month(start_date, end_date, first_day, last_day) -%}
    (greatest(
        date_diff(
            'day',
            greatest({{ start_date }}, {{ first_day }}),
            least(coalesce({{ end_date }}, {{ last_day }}), {{ last_day }})
        ) + 1,
        0
    ) / 7.0)
{%- endmacro %}

{#- Agency spend of an assignment in a month: hours per week x hourly charge rate x weeks
    open in the month. -#}
{% macro agency_spend(hours_per_week, hourly_charge_rate, weeks_open) -%}
    {{ exact_measure(
        "(" ~ hours_per_week ~ ") * (" ~ hourly_charge_rate ~ ") * (" ~ weeks_open ~ ")"
    ) }}
{%- endmacro %}
