-- The current version of every return table per council and period: the file with the greatest
-- ledger_id, the same rule as the int_*_latest models (macros/latest_versions.sql). The pipeline
-- keeps a copy of this after each successful build (ingest/mart_builds.py), so the next build
-- can tell which council-months changed.
with

establishments as (

    select * from {{ ref('stg_returns__establishments') }}

),

agency_assignments as (

    select * from {{ ref('stg_returns__agency_assignments') }}

),

pay_scales as (

    select * from {{ ref('stg_returns__pay_scales') }}

),

workforce as (

    select * from {{ ref('stg_returns__workforce') }}

),

census_la_records as (

    select * from {{ ref('stg_returns__census_la_records') }}

),

versions as (

    select
        'establishments' as return_table,
        council_code,
        period,
        max(ledger_id) as ledger_id
    from establishments
    group by council_code, period

    union all

    select
        'agency_assignments' as return_table,
        council_code,
        period,
        max(ledger_id) as ledger_id
    from agency_assignments
    group by council_code, period

    union all

    select
        'pay_scales' as return_table,
        council_code,
        period,
        max(ledger_id) as ledger_id
    from pay_scales
    group by council_code, period

    union all

    select
        'workforce' as return_table,
        council_code,
        period,
        max(ledger_id) as ledger_id
    from workforce
    group by council_code, period

    union all

    select
        'census_la_records' as return_table,
        council_code,
        period,
        max(ledger_id) as ledger_id
    from census_la_records
    group by council_code, period

)

select * from versions
