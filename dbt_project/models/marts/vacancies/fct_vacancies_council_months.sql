{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- Each council's vacancy and agency components and rates for a month: the whole return (an
-- establishment return, or a census XML where the council sent no establishment return).
with

council_months as (

    select * from {{ ref('int_vacancy_council_months_windowed') }}
    where {{ is_in_vacancy_window_rebuild_scope('council_code', 'period') }}

),

members as (

    select * from {{ ref('members') }}

),

rates_added as (

    select
        -- ids
        council_months.council_code,
        council_months.period,

        -- dimensions
        members.council_name,
        council_months.figures_source,

        -- dates
        council_months.month_end_date,

        -- measures: the month
        council_months.establishment_fte,
        council_months.permanent_fte,
        council_months.agency_fte,
        council_months.agency_vacancy_fte,
        council_months.vacancy_fte,
        council_months.starters_fte,
        council_months.starters_headcount,
        council_months.leavers_fte,
        council_months.leavers_headcount,
        council_months.leavers_to_agency_headcount,
        council_months.cases_held,
        council_months.case_holder_fte,

        -- measures: the 12 months to the month
        council_months.starters_fte_12_months,
        council_months.starters_headcount_12_months,
        council_months.leavers_fte_12_months,
        council_months.leavers_headcount_12_months,
        council_months.leavers_window_months,

        -- rates (percent) and caseload (ratio)
        {{ vacancy_rate('council_months.vacancy_fte', 'council_months.permanent_fte') }}
            as vacancy_rate,
        {{ agency_rate('council_months.agency_fte', 'council_months.permanent_fte') }}
            as agency_rate,
        {{ agency_cover_rate('council_months.agency_vacancy_fte', 'council_months.agency_fte') }}
            as agency_cover_rate,
        case
            when
                {{ is_vacancy_cover_reliable(
                    'council_months.agency_vacancy_fte', 'council_months.vacancy_fte'
                ) }}
                then {{ vacancy_cover_rate(
                    'council_months.agency_vacancy_fte', 'council_months.vacancy_fte'
                ) }}
        end as vacancy_cover_rate,
        case
            when council_months.is_leavers_window_complete
                then {{ turnover_rate(
                    'council_months.leavers_fte_12_months', 'council_months.permanent_fte'
                ) }}
        end as turnover_rate,
        {{ caseload('council_months.cases_held', 'council_months.case_holder_fte') }}
            as caseload,
        {{ permanent_fte_share('council_months.permanent_fte', 'council_months.agency_fte') }}
            as permanent_fte_share

    from council_months
    left join members
        on council_months.council_code = members.council_code

)

select * from rates_added
