{{ config(materialized='incremental', unique_key=['region_code', 'period']) }}
-- Regional vacancy and agency figures per month, from the components summed over the member
-- councils that sent a return for that month; for a month before the MoC (no council of the
-- region a member on its snapshot date: a region loading its DfE history), over every council
-- of the region that has figures, labelled as such (coverage, coverage_label). Rates are
-- computed from those sums (DfE method), never by averaging council rates. Each metric sums
-- only the councils whose components for it are complete and reliable, in both numerator and
-- denominator:
--   * every metric: councils that are members on the month's snapshot date and sent a return
--     (councils_included);
--   * turnover: of those, councils with a return in each of the 12 months to the month
--     (turnover_councils_included);
--   * vacancy cover: of those, councils whose agency FTE covering vacancies does not exceed
--     their vacancy FTE (vacancy_cover_councils_included).
with

council_months as (

    select * from {{ ref('int_vacancy_council_months_windowed') }}
    -- every council of a month in scope: the month's regional sums are recomputed whole
    where {{ is_period_in_rebuild_scope(
        'period', vacancy_return_tables(), turnover_window_length() | int - 1
    ) }}

),

members as (

    select * from {{ ref('members') }}

),

region_council_months as (

    select
        council_months.*,
        members.region_code,
        members.region_name,
        {{ is_member_on('council_months.month_end_date', 'members') }} as is_member,
        -- whether the MoC had any member in the region on the month's snapshot date
        exists(
            select 1
            from members as region_members
            where
                region_members.region_code = members.region_code
                and {{ is_member_on('council_months.month_end_date', 'region_members') }}
        ) as region_has_members,
        {{ is_vacancy_cover_reliable(
            'council_months.agency_vacancy_fte', 'council_months.vacancy_fte'
        ) }} as is_vacancy_cover_reliable
    from council_months
    inner join members
        on council_months.council_code = members.council_code

),

member_council_months as (

    -- the members of a month with members; every council of the region in a month without
    select
        *,
        case
            when region_has_members then 'moc_members' else 'region_councils'
        end as coverage,
        case
            when region_has_members then 'MoC members' else region_name || ' councils'
        end as coverage_label
    from region_council_months
    where is_member or not region_has_members

),

components_summed as (

    select
        region_code,
        region_name,
        coverage,
        coverage_label,
        period,
        month_end_date,

        -- every metric: all member councils with a return
        cast(count(distinct council_code) as integer) as councils_included,
        string_agg(distinct council_code, ',' order by council_code) as councils_included_codes,
        {{ sum_vacancy_components() }},

        -- turnover: only councils whose 12-month window is complete
        cast(
            count(distinct council_code) filter (where is_leavers_window_complete) as integer
        ) as turnover_councils_included,
        string_agg(distinct council_code, ',' order by council_code)
        filter (where is_leavers_window_complete) as turnover_councils_included_codes,
        sum(permanent_fte) filter (where is_leavers_window_complete) as turnover_permanent_fte,
        sum(starters_fte_12_months) filter (where is_leavers_window_complete)
            as starters_fte_12_months,
        cast(
            sum(starters_headcount_12_months) filter (where is_leavers_window_complete)
            as integer
        ) as starters_headcount_12_months,
        sum(leavers_fte_12_months) filter (where is_leavers_window_complete)
            as leavers_fte_12_months,
        cast(
            sum(leavers_headcount_12_months) filter (where is_leavers_window_complete)
            as integer
        ) as leavers_headcount_12_months,

        -- vacancy cover: only councils whose vacancy cover components are reliable
        cast(
            count(distinct council_code) filter (where is_vacancy_cover_reliable) as integer
        ) as vacancy_cover_councils_included,
        sum(agency_vacancy_fte) filter (where is_vacancy_cover_reliable)
            as vacancy_cover_agency_vacancy_fte,
        sum(vacancy_fte) filter (where is_vacancy_cover_reliable) as vacancy_cover_vacancy_fte

    from member_council_months
    group by region_code, region_name, coverage, coverage_label, period, month_end_date

),

rates_added as (

    select
        -- ids
        region_code,
        period,

        -- dimensions
        region_name,
        coverage,
        coverage_label,
        councils_included,
        councils_included_codes,
        turnover_councils_included,
        turnover_councils_included_codes,
        vacancy_cover_councils_included,

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

        -- measures: the 12 months to the month, turnover councils only
        starters_fte_12_months,
        starters_headcount_12_months,
        leavers_fte_12_months,
        leavers_headcount_12_months,
        turnover_permanent_fte,

        -- rates (percent) and caseload (ratio), from the components of the councils included
        {{ dfe_rate_columns() }}

    from components_summed

)

select * from rates_added
