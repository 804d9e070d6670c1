{#-
    The one home of the DfE workforce rate definitions (DOMAIN.md, Metrics). Every model
    computes its rates through these macros, so a definition can only ever change in one place.
    Rates are percentages (0-100), unrounded; caseload is a plain ratio. A zero or NULL
    denominator gives NULL, which publication marks as "z" (not applicable).
-#}

{#- numerator / denominator as a percentage (0-100), unrounded; NULL when the denominator is 0
    or NULL. Divides before scaling, so equal parts give exactly 100 (100.0 * 0.3 / 0.3 would
    give 100.00000000000001 in floating point and fail the 0-100 range tests), and rounds
    away the division's noise (rounded_rate, macros/exact_numbers.sql). -#}
{% macro safe_percentage(numerator, denominator) -%}
    {{ rounded_rate(
        "100.0 * ((" ~ numerator ~ ") / nullif(" ~ denominator ~ ", 0))"
    ) }}
{%- endmacro %}

{#- numerator / denominator as a plain ratio, unrounded; NULL when the denominator is 0 or NULL. -#}
{% macro safe_ratio(numerator, denominator) -%}
    {{ rounded_rate(
        "cast(" ~ numerator ~ " as double) / nullif(" ~ denominator ~ ", 0)"
    ) }}
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

{#- The rate inputs that count a council's own components only where they are reliable and
    complete, under the names the regional figures give their sums over the councils included
    (fct_vacancies_region_months), so dfe_rate_columns() reads one set of names everywhere:
    vacancy cover components where is_vacancy_cover_reliable, else NULL; permanent FTE for
    turnover where the 12-month window is complete, else NULL. A NULL input makes the rate NULL.
    One select-list item a line, for a select list indented by 8 spaces. -#}
{% macro council_rate_inputs() -%}
    case
            when {{ is_vacancy_cover_reliable('agency_vacancy_fte', 'vacancy_fte') }}
                then agency_vacancy_fte
        end as vacancy_cover_agency_vacancy_fte,
        case
            when {{ is_vacancy_cover_reliable('agency_vacancy_fte', 'vacancy_fte') }}
                then vacancy_fte
        end as vacancy_cover_vacancy_fte,
        case
            when is_leavers_window_complete then permanent_fte
        end as turnover_permanent_fte
{%- endmacro %}

{#- The rates and caseload of a vacancy mart, as its columns, in contract order: every DfE
    definition above applied to the components under their mart names (vacancy_fte,
    permanent_fte, agency_fte, agency_vacancy_fte, cases_held, case_holder_fte), with vacancy
    cover and turnover from the components of the councils included (vacancy_cover_*,
    leavers_fte_12_months and turnover_permanent_fte: council_rate_inputs() for one council,
    the filtered sums for a region). One select-list item a line, as above. -#}
{% macro dfe_rate_columns() -%}
    {{ vacancy_rate('vacancy_fte', 'permanent_fte') }} as vacancy_rate,
        {{ agency_rate('agency_fte', 'permanent_fte') }} as agency_rate,
        {{ agency_cover_rate('agency_vacancy_fte', 'agency_fte') }} as agency_cover_rate,
        {{ vacancy_cover_rate('vacancy_cover_agency_vacancy_fte', 'vacancy_cover_vacancy_fte') }}
            as vacancy_cover_rate,
        {{ turnover_rate('leavers_fte_12_months', 'turnover_permanent_fte') }} as turnover_rate,
        {{ caseload('cases_held', 'case_holder_fte') }} as caseload,
        {{ permanent_fte_share('permanent_fte', 'agency_fte') }} as permanent_fte_share
{%- endmacro %}

{#- The 12-month starters and leavers of a row (turnover_window_components), in that order:
    a census row's own 12-month figures (reported_<component>_12_months), otherwise the monthly
    figures summed over the turnover window of `partition_by` (a month without a row adds
    nothing; a count's sum is cast back to integer). One select-list item a line, as above. -#}
{% macro twelve_month_component_columns(partition_by) -%}
    {%- set items = [] -%}
    {%- for name, is_count in turnover_window_components() -%}
        {%- set windowed = 'sum(' ~ name ~ ') ' ~ over_turnover_window(partition_by) -%}
        {%- do items.append(
            "case when figures_source = 'census' then reported_" ~ name ~ "_12_months else "
            ~ ('cast(' ~ windowed ~ ' as integer)' if is_count else windowed)
            ~ ' end as ' ~ name ~ '_12_months'
        ) -%}
    {%- endfor -%}
    {{ items | join(',\n        ') }}
{%- endmacro %}
