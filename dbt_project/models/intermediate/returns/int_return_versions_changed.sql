-- The return versions that changed since the last successful build: for each return table,
-- council and period, a current version (int_return_versions_current) that the marts were not
-- built from (a new month, a corrected or resubmitted file, or everything before the first
-- build). Incremental models recompute only these council-months and the months whose rolling
-- windows reach them (macros/rebuild_scope.sql).
with

current_versions as (

    select * from {{ ref('int_return_versions_current') }}

),

built_versions as (

    select * from {{ ref('stg_build_state__marts_built_versions') }}

),

changed as (

    select
        -- ids
        current_versions.return_table,
        current_versions.council_code,
        current_versions.period,
        current_versions.ledger_id,

        -- the version the marts were built from; NULL for a table, council and month not built
        built_versions.ledger_id as built_ledger_id

    from current_versions
    left join built_versions
        on
            current_versions.return_table = built_versions.return_table
            and current_versions.council_code = built_versions.council_code
            and current_versions.period = built_versions.period
    where
        built_versions.ledger_id is null
        or built_versions.ledger_id <> current_versions.ledger_id

)

select * from changed
