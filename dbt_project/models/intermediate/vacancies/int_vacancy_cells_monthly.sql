{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- Each council's figures for a month per regional service area and regional role, from the one
-- return that stands for that council-month:
--   * a council-month with an establishment return uses that return only (summed per cell);
--   * a council-month with only a census XML uses the census cells (int_census_vacancy_cells).
-- A census also reports its 12-month starters and leavers directly (reported_*_12_months);
-- establishment months leave them NULL and the windowed models sum the monthly figures instead.
with

establishments as (

    select * from {{ ref('int_establishment_harmonised') }}

),

census_cells as (

    select * from {{ ref('int_census_vacancy_cells') }}

),

establishment_cells as (

    select
        council_code,
        period,
        service_area,
        regional_role,
        month_end_date,
        'establishment_return' as figures_source,
        {{ sum_vacancy_components() }},
        cast(null as {{ exact_measure_type() }}) as reported_starters_fte_12_months,
        cast(null as integer) as reported_starters_headcount_12_months,
        cast(null as {{ exact_measure_type() }}) as reported_leavers_fte_12_months,
        cast(null as integer) as reported_leavers_headcount_12_months
    from establishments
    group by council_code, period, service_area, regional_role, month_end_date

),

establishment_council_months as (

    select distinct
        council_code,
        period
    from establishments

),

census_only_cells as (

    select
        census_cells.council_code,
        census_cells.period,
        census_cells.service_area,
        census_cells.regional_role,
        census_cells.month_end_date,
        'census' as figures_source,
        {{ vacancy_component_columns('census_cells') }},
        census_cells.starters_fte_12_months as reported_starters_fte_12_months,
        census_cells.starters_headcount_12_months as reported_starters_headcount_12_months,
        census_cells.leavers_fte_12_months as reported_leavers_fte_12_months,
        census_cells.leavers_headcount_12_months as reported_leavers_headcount_12_months
    from census_cells
    left join establishment_council_months
        on
            census_cells.council_code = establishment_council_months.council_code
            and census_cells.period = establishment_council_months.period
    -- an establishment return for the same council-month wins over the census
    where establishment_council_months.council_code is null

),

cells as (

    select * from establishment_cells
    union all
    select * from census_only_cells

)

select * from cells
where {{ is_in_rebuild_scope('council_code', 'period', vacancy_return_tables()) }}
