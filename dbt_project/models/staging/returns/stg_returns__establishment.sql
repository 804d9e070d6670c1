with

source as (

    select * from {{ source('returns', 'establishment') }}

),

renamed as (

    select
        -- ids
        {{ raw_file_metadata_ids() }},

        -- dimensions
        team as local_team,
        grade as local_grade,

        -- measures
        cast(establishment_fte as double) as establishment_fte,
        cast(permanent_fte as double) as permanent_fte,
        cast(agency_fte as double) as agency_fte,
        cast(agency_vacancy_fte as double) as agency_vacancy_fte,
        cast(vacancy_fte as double) as vacancy_fte,
        cast(starters_fte as double) as starters_fte,
        cast(starters_headcount as integer) as starters_headcount,
        cast(leavers_fte as double) as leavers_fte,
        cast(leavers_headcount as integer) as leavers_headcount,
        cast(leavers_to_agency_headcount as integer) as leavers_to_agency_headcount,
        cast(cases_held as integer) as cases_held,
        cast(case_holder_fte as double) as case_holder_fte,

        -- dates and timestamps
        {{ raw_file_metadata_timestamps() }}

    from source

)

select * from renamed
