{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- Each council's figures for a month summed over all its cells, with the permanent starters
-- and leavers of the 12 months to that month (the turnover window) and how many of those months
-- have a return. The council and region vacancy marts both read this model, so the window is
-- computed in one place.
--   * establishment return months: the 12-month figures are the monthly figures summed over
--     the months of the window that have a return (a census month among them adds its own
--     month's starters and leavers, so nothing is counted twice);
--   * census months: the census reports the 12 months itself, so its figures are used as they
--     are and the window is complete.
with

cells as (

    select * from {{ ref('int_vacancy_cells_monthly') }}
    -- a window reads the council's earlier months: all months of a council in scope
    where {{ is_council_in_rebuild_scope('council_code', vacancy_return_tables()) }}

),

council_months as (

    select
        council_code,
        period,
        month_end_date,
        figures_source,
        {{ month_number('period') }} as month_number,
        {{ sum_vacancy_components() }},
        sum(reported_starters_fte_12_months) as reported_starters_fte_12_months,
        cast(sum(reported_starters_headcount_12_months) as integer)
            as reported_starters_headcount_12_months,
        sum(reported_leavers_fte_12_months) as reported_leavers_fte_12_months,
        cast(sum(reported_leavers_headcount_12_months) as integer)
            as reported_leavers_headcount_12_months
    from cells
    group by council_code, period, month_end_date, figures_source

),

windowed as (

    select
        -- ids
        council_code,
        period,

        -- dimensions
        figures_source,

        -- dates
        month_end_date,

        -- measures: the month
        {{ vacancy_component_columns() }},

        -- measures: the 12 months to the month (months without a return add nothing)
        {{ twelve_month_component_columns('council_code') }},
        case
            when figures_source = 'census' then {{ turnover_window_length() }}
            else cast(count(*) {{ over_turnover_window('council_code') }} as integer)
        end as leavers_window_months,
        -- the coverage of the council's cells: only establishment return months have them
        cast(
            sum(case when figures_source = 'establishment_return' then 1 else 0 end)
                {{ over_turnover_window('council_code') }}
            as integer
        ) as establishment_return_window_months

    from council_months

),

completeness_flagged as (

    select
        windowed.*,
        {{ is_turnover_window_complete('windowed.leavers_window_months') }}
            as is_leavers_window_complete
    from windowed

)

select * from completeness_flagged
where {{ is_in_vacancy_window_rebuild_scope('council_code', 'period') }}
