-- A council may resubmit a period: keep only the rows of the latest file version received
-- for each council and period. Equal arrival times fall back to the file hash, so the
-- choice never depends on row order.
with

establishments as (

    select * from {{ ref('stg_returns__establishments') }}

),

latest_file_versions as (

    select
        -- ids
        file_sha256,
        council_code,
        period,
        source_row_number,

        -- dimensions
        local_team,
        local_grade,

        -- measures
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

        -- dates and timestamps
        month_end_date,
        received_at

    from establishments
    -- dense_rank gives every row of one file version the same rank
    qualify dense_rank() over (
        partition by council_code, period
        order by received_at desc, file_sha256 desc
    ) = 1

)

select * from latest_file_versions
