{#-
    The one home of the DfE workforce rate definitions (DOMAIN.md, Metrics). Every model
    computes its rates through these macros, so a definition can only ever change in one place.
    Rates are percentages (0-100), unrounded; caseload is a plain ratio. A zero or NULL
    denominator gives NULL, which publication marks as "z" (not applicable).
-#}

{#- numerator / denominator as a percentage (0-100), unrounded; NULL when the denominator is 0
    or NULL. Divides before scaling, so equal parts give exactly 100 (100.0 * 0.3 / 0.3 would
    give 100.00000000000001 in floating point and fail the 0-100 range tests). -#}
{% macro safe_percentage(numerator, denominator) -%}
    (100.0 * (({{ numerator }}) / nullif({{ denominator }}, 0)))
{%- endmacro %}

{#- numerator / denominator as a plain ratio, unrounded; NULL when the denominator is 0 or NULL. -#}
{% macro safe_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- DfE: vacancy rate = vacancy FTE / (vacancy FTE + permanent FTE in post). -#}
{% macro vacancy_rate(vacancy_fte, permanent_fte) -%}
    {{ safe_percentage(vacancy_fte, "(" ~ vacancy_fte ~ " + " ~ permanent_fte ~ ")") }}
{%- endmacro %}

{#- DfE: agency rate = agency FTE / (agency FTE + permanent FTE in post). -#}
{% macro agency_rate(agency_fte, permanent_fte) -%}
    {{ safe_percentage(agency_fte, "(" ~ agency_fte ~ " + " ~ permanent_fte ~ ")") }}
{%- endmacro %}

{#- DfE: agency cover rate = agency FTE covering vacancies / agency FTE. -#}
{% macro agency_cover_rate(agency_vacancy_fte, agency_fte) -%}
    {{ safe_percentage(agency_vacancy_fte, agency_fte) }}
{%- endmacro %}

{#- DfE: vacancy cover rate = agency FTE covering vacancies / vacancy FTE. -#}
{% macro vacancy_cover_rate(agency_vacancy_fte, vacancy_fte) -%}
    {{ safe_percentage(agency_vacancy_fte, vacancy_fte) }}
{%- endmacro %}

{#- The vacancy cover components are reliable only when no more agency FTE covers vacancies
    than there are vacancies (the DfE publishes "u", low reliability, otherwise). An unreliable
    vacancy cover rate is NULL and the council is left out of the regional figure. -#}
{% macro is_vacancy_cover_reliable(agency_vacancy_fte, vacancy_fte) -%}
    coalesce({{ agency_vacancy_fte }} <= {{ vacancy_fte }}, false)
{%- endmacro %}

{#- DfE: turnover rate = permanent leavers FTE over the last 12 months / permanent FTE in post
    now. Only meaningful when the 12-month leavers window is complete
    (is_turnover_window_complete); the models apply that gate. -#}
{% macro turnover_rate(leavers_fte_12_months, permanent_fte) -%}
    {{ safe_percentage(leavers_fte_12_months, permanent_fte) }}
{%- endmacro %}

{#- Length of the turnover leavers window, in months. -#}
{% macro turnover_window_length() -%}
    12
{%- endmacro %}

{#- True when every month of the turnover window has a return. -#}
{% macro is_turnover_window_complete(leavers_window_months) -%}
    coalesce({{ leavers_window_months }} = {{ turnover_window_length() }}, false)
{%- endmacro %}

{#- The trailing window of the turnover: this month and the 11 before it, by calendar month
    (a month with no row adds nothing). Orders by month_number (see below). -#}
{% macro over_turnover_window(partition_by) -%}
    over (
        partition by {{ partition_by }}
        order by month_number
        range between {{ turnover_window_length() | int - 1 }} preceding and current row
    )
{%- endmacro %}

{#- 'YYYY-MM' as a running month count (year x 12 + month), so windows can count calendar
    months across year ends. -#}
{% macro month_number(period) -%}
    (cast(left({{ period }}, 4) as integer) * 12 + cast(right({{ period }}, 2) as integer))
{%- endmacro %}

{#- DfE: caseload = cases held / case-holder FTE, a plain ratio (not a percentage). -#}
{% macro caseload(cases_held, case_holder_fte) -%}
    {{ safe_ratio(cases_held, case_holder_fte) }}
{%- endmacro %}

{#- Stability: permanent FTE share = permanent FTE / (permanent FTE + agency FTE). -#}
{% macro permanent_fte_share(permanent_fte, agency_fte) -%}
    {{ safe_percentage(permanent_fte, "(" ~ permanent_fte ~ " + " ~ agency_fte ~ ")") }}
{%- endmacro %}
