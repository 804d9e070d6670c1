-- What a DfE CSWW census XML on its own says about a council's workforce at its reference date,
-- as vacancy cells: one per regional role (from OrgRole; the census has no team, so the service
-- area is not_recorded) and one council-level cell (service area and role not_recorded) for the
-- LA record's vacancies and agency cover, which the census does not give by role.
--
-- Definitions (DOMAIN.md, the DfE census):
--   * in post at the reference date: start date on or before it (or none) and no end date or
--     one after it; FTE in post is FTE30, falling back to FTE;
--   * starters / leavers in the year: permanent workers whose start / end date falls in the 12
--     months to the reference date; a leaver's FTE is FTE (the FTE at leaving), a starter's FTE
--     is FTE too; agency workers are never starters or leavers (turnover is permanent only);
--   * starters / leavers in the month: the same, with the date in the reference date's month
--     (from its first day to the reference date). These are the month's figures, so a later
--     monthly return's 12-month window that includes the census month counts them once;
--   * leavers to agency: leavers whose LeaverDestination is the DfE code for agency or
--     consultancy social work (census_agency_leaver_destinations, dbt_project.yml);
--   * cases: Cases30 of those in post (permanent and agency); case-holder FTE: FTE in post of
--     those with Cases30 above 0.
-- Figures the census does not record at a cell's level are NULL, not 0: establishment,
-- vacancies and agency cover in the role cells; in-post, starters, leavers and cases in the
-- council-level cell. Establishment is not in the census at all: the council-level cell's
-- establishment is permanent FTE in post + vacancy FTE (the DfE's own identity).
-- The census is read as a whole file: the workers are those of the current census file (the
-- same ledger row as its LA record), whatever workforce table came later for the period.
with

census_la_records as (

    select * from {{ ref('int_census_la_latest') }}

),

workers as (

    select * from {{ ref('stg_returns__workforce') }}

),

org_role_map as (

    select * from {{ ref('org_role_map') }}

),

census_workers as (

    select
        -- ids
        census_la_records.ledger_id,
        census_la_records.file_sha256,
        census_la_records.council_code,
        census_la_records.period,

        -- dimensions
        org_role_map.regional_role,
        workers.is_agency_worker,
        workers.leaver_destination,

        -- measures
        workers.fte,
        coalesce(workers.fte_30_sept, workers.fte) as fte_in_post,
        workers.cases_30_sept,

        -- dates
        workers.role_start_date,
        workers.role_end_date,
        census_la_records.reference_date,
        census_la_records.month_end_date,
        cast(census_la_records.reference_date - interval 1 year as date) as year_before_reference,
        date_trunc('month', census_la_records.reference_date) as reference_month_start

    from census_la_records
    inner join workers
        on census_la_records.ledger_id = workers.ledger_id
    -- left join on purpose: an unmapped OrgRole keeps its worker with a NULL regional role
    left join org_role_map
        on workers.org_role = org_role_map.org_role

),

workers_classified as (

    select
        *,
        coalesce(role_start_date <= reference_date, true)
        and coalesce(role_end_date > reference_date, true) as is_in_post,
        coalesce(
            not is_agency_worker
            and role_start_date > year_before_reference
            and role_start_date <= reference_date,
            false
        ) as is_starter_in_year,
        coalesce(
            not is_agency_worker
            and role_end_date > year_before_reference
            and role_end_date <= reference_date,
            false
        ) as is_leaver_in_year,
        coalesce(role_start_date >= reference_month_start, false) as is_start_in_month,
        coalesce(role_end_date >= reference_month_start, false) as is_end_in_month,
        coalesce(
            leaver_destination in (
                {%- for code in var('census_agency_leaver_destinations') %}
                    '{{ code }}'{{ "," if not loop.last }}
                {%- endfor %}
            ),
            false
        ) as is_leaver_to_agency
    from census_workers

),

role_cells as (

    select
        -- ids
        ledger_id,
        file_sha256,
        council_code,
        period,
        'not_recorded' as service_area,
        regional_role,

        -- dates
        reference_date,
        month_end_date,

        -- measures: at the reference date
        cast(null as {{ exact_measure_type() }}) as establishment_fte,
        coalesce(sum(fte_in_post) filter (where is_in_post and not is_agency_worker), 0.0)
            as permanent_fte,
        coalesce(sum(fte_in_post) filter (where is_in_post and is_agency_worker), 0.0)
            as agency_fte,
        cast(null as {{ exact_measure_type() }}) as agency_vacancy_fte,
        cast(null as {{ exact_measure_type() }}) as vacancy_fte,
        cast(coalesce(sum(cases_30_sept) filter (where is_in_post), 0) as integer) as cases_held,
        coalesce(sum(fte_in_post) filter (where is_in_post and cases_30_sept > 0), 0.0)
            as case_holder_fte,

        -- measures: the reference date's month
        coalesce(sum(fte) filter (where is_starter_in_year and is_start_in_month), 0.0)
            as starters_fte,
        cast(count(*) filter (where is_starter_in_year and is_start_in_month) as integer)
            as starters_headcount,
        coalesce(sum(fte) filter (where is_leaver_in_year and is_end_in_month), 0.0)
            as leavers_fte,
        cast(count(*) filter (where is_leaver_in_year and is_end_in_month) as integer)
            as leavers_headcount,
        cast(
            count(*) filter (where is_leaver_in_year and is_end_in_month and is_leaver_to_agency)
            as integer
        ) as leavers_to_agency_headcount,

        -- measures: the 12 months to the reference date
        coalesce(sum(fte) filter (where is_starter_in_year), 0.0) as starters_fte_12_months,
        cast(count(*) filter (where is_starter_in_year) as integer)
            as starters_headcount_12_months,
        coalesce(sum(fte) filter (where is_leaver_in_year), 0.0) as leavers_fte_12_months,
        cast(count(*) filter (where is_leaver_in_year) as integer) as leavers_headcount_12_months,
        cast(count(*) filter (where is_leaver_in_year and is_leaver_to_agency) as integer)
            as leavers_to_agency_headcount_12_months

    from workers_classified
    group by
        ledger_id,
        file_sha256,
        council_code,
        period,
        regional_role,
        reference_date,
        month_end_date

),

permanent_in_post as (

    select
        ledger_id,
        sum(permanent_fte) as permanent_fte
    from role_cells
    group by ledger_id

),

council_cells as (

    select
        -- ids
        census_la_records.ledger_id,
        census_la_records.file_sha256,
        census_la_records.council_code,
        census_la_records.period,
        'not_recorded' as service_area,
        'not_recorded' as regional_role,

        -- dates
        census_la_records.reference_date,
        census_la_records.month_end_date,

        -- measures: at the reference date
        coalesce(permanent_in_post.permanent_fte, 0.0) + census_la_records.vacancy_fte
            as establishment_fte,
        cast(null as {{ exact_measure_type() }}) as permanent_fte,
        cast(null as {{ exact_measure_type() }}) as agency_fte,
        census_la_records.agency_vacancy_fte,
        census_la_records.vacancy_fte,
        cast(null as integer) as cases_held,
        cast(null as {{ exact_measure_type() }}) as case_holder_fte,

        -- measures: the reference date's month
        cast(null as {{ exact_measure_type() }}) as starters_fte,
        cast(null as integer) as starters_headcount,
        cast(null as {{ exact_measure_type() }}) as leavers_fte,
        cast(null as integer) as leavers_headcount,
        cast(null as integer) as leavers_to_agency_headcount,

        -- measures: the 12 months to the reference date
        cast(null as {{ exact_measure_type() }}) as starters_fte_12_months,
        cast(null as integer) as starters_headcount_12_months,
        cast(null as {{ exact_measure_type() }}) as leavers_fte_12_months,
        cast(null as integer) as leavers_headcount_12_months,
        cast(null as integer) as leavers_to_agency_headcount_12_months

    from census_la_records
    left join permanent_in_post
        on census_la_records.ledger_id = permanent_in_post.ledger_id

),

cells as (

    select * from role_cells
    union all
    select * from council_cells

)

select * from cells
