{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- Vacancy and agency components and rates per council, month, service area and regional role.
-- Rates come from the summed components of the cell, through the DfE definition macros
-- (macros/workforce_rates.sql: dfe_rate_columns). A census month's cells leave NULL what the
-- census does not record at the cell's level (int_census_vacancy_cells), so those cells' rates
-- are NULL too.
with

cells as (

    select * from {{ ref('int_vacancy_cells_windowed') }}
    where {{ is_in_vacancy_window_rebuild_scope('council_code', 'period') }}

),

rate_inputs_added as (

    select
        *,
        {{ council_rate_inputs() }}
    from cells

),

rates_added as (

    select
        -- ids
        council_code,
        period,
        service_area,
        regional_role,

        -- dimensions
        figures_source,

        -- dates
        month_end_date,

        -- measures: the month
        establishment_fte,
        permanent_fte,
        agency_fte,
        agency_vacancy_fte,
        vacancy_fte,
        starters_fte,
        starters_headcount,
        leavers_fte,
        leavers_headcount,
        leavers_to_agency_headcount,
        cases_held,
        case_holder_fte,

        -- measures: the 12 months to the month
        starters_fte_12_months,
        starters_headcount_12_months,
        leavers_fte_12_months,
        leavers_headcount_12_months,
        leavers_window_months,

        -- rates (percent) and caseload (ratio)
        {{ dfe_rate_columns() }}

    from rate_inputs_added

)

select * from rates_added
