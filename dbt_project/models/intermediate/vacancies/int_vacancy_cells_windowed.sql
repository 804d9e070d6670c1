{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- Each council's figures for a month per regional service area and regional role, with the
-- cell's permanent starters and leavers over the 12 months to that month.
--   * establishment return cells: the monthly figures summed over the window. How many of
--     those months have a return is a property of the council's returns, not of the cell, so it
--     comes from int_vacancy_council_months_windowed (its establishment return months: a census
--     month has no team or grade cells): a month with a return but no row for the cell means
--     the cell had no starters or leavers that month;
--   * census cells: the census's own 12-month figures; the window is complete.
with

cells as (

    select * from {{ ref('int_vacancy_cells_monthly') }}
    -- a window reads the council's earlier months: all months of a council in scope
    where {{ is_council_in_rebuild_scope('council_code', vacancy_return_tables()) }}

),

council_months as (

    select * from {{ ref('int_vacancy_council_months_windowed') }}

),

cells_numbered as (

    select
        *,
        {{ month_number('period') }} as month_number
    from cells

),

cells_windowed as (

    select
        council_code,
        period,
        service_area,
        regional_role,
        figures_source,
        month_end_date,
        {{ vacancy_component_columns() }},
        {{ twelve_month_component_columns('council_code, service_area, regional_role') }}
    from cells_numbered

),

window_coverage_added as (

    select
        -- ids
        cells_windowed.council_code,
        cells_windowed.period,
        cells_windowed.service_area,
        cells_windowed.regional_role,

        -- dimensions
        cells_windowed.figures_source,

        -- dates
        cells_windowed.month_end_date,

        -- measures: the month
        {{ vacancy_component_columns('cells_windowed') }},

        -- measures: the 12 months to the month
        cells_windowed.starters_fte_12_months,
        cells_windowed.starters_headcount_12_months,
        cells_windowed.leavers_fte_12_months,
        cells_windowed.leavers_headcount_12_months,
        case
            when cells_windowed.figures_source = 'census'
                then council_months.leavers_window_months
            else council_months.establishment_return_window_months
        end as leavers_window_months

    from cells_windowed
    left join council_months
        on
            cells_windowed.council_code = council_months.council_code
            and cells_windowed.period = council_months.period

),

completeness_flagged as (

    select
        window_coverage_added.*,
        {{ is_turnover_window_complete('window_coverage_added.leavers_window_months') }}
            as is_leavers_window_complete
    from window_coverage_added

)

select * from completeness_flagged
where {{ is_in_vacancy_window_rebuild_scope('council_code', 'period') }}
