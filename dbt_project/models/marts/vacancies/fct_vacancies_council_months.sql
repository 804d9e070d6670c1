{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- Each council's vacancy and agency components and rates for a month: the whole return (an
-- establishment return, or a census XML where the council sent no establishment return).
-- Rates come from the council's components through the DfE definition macros
-- (macros/workforce_rates.sql: dfe_rate_columns), as in fct_vacancies and the regional mart.
with

council_months as (

    select * from {{ ref('int_vacancy_council_months_windowed') }}
    where {{ is_in_vacancy_window_rebuild_scope('council_code', 'period') }}

),

members as (

    select * from {{ ref('members') }}

),

rate_inputs_added as (

    select
        *,
        {{ council_rate_inputs() }}
    from council_months

),

rates_added as (

    select
        *,
        {{ dfe_rate_columns() }}
    from rate_inputs_added

),

names_added as (

    select
        -- ids
        rates_added.council_code,
        rates_added.period,

        -- dimensions
        members.council_name,
        rates_added.figures_source,

        -- dates
        rates_added.month_end_date,

        -- measures: the month
        rates_added.establishment_fte,
        rates_added.permanent_fte,
        rates_added.agency_fte,
        rates_added.agency_vacancy_fte,
        rates_added.vacancy_fte,
        rates_added.starters_fte,
        rates_added.starters_headcount,
        rates_added.leavers_fte,
        rates_added.leavers_headcount,
        rates_added.leavers_to_agency_headcount,
        rates_added.cases_held,
        rates_added.case_holder_fte,

        -- measures: the 12 months to the month
        rates_added.starters_fte_12_months,
        rates_added.starters_headcount_12_months,
        rates_added.leavers_fte_12_months,
        rates_added.leavers_headcount_12_months,
        rates_added.leavers_window_months,

        -- rates (percent) and caseload (ratio)
        rates_added.vacancy_rate,
        rates_added.agency_rate,
        rates_added.agency_cover_rate,
        rates_added.vacancy_cover_rate,
        rates_added.turnover_rate,
        rates_added.caseload,
        rates_added.permanent_fte_share

    from rates_added
    left join members
        on rates_added.council_code = members.council_code

)

select * from names_added
