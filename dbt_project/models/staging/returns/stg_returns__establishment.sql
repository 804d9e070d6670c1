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
        {{ exact_measure('establishment_fte') }} as establishment_fte,
        {{ exact_measure('permanent_fte') }} as permanent_fte,
        {{ exact_measure('agency_fte') }} as agency_fte,
        {{ exact_measure('agency_vacancy_fte') }} as agency_vacancy_fte,
        {{ exact_measure('vacancy_fte') }} as vacancy_fte,
        {{ exact_measure('starters_fte') }} as starters_fte,
        cast(starters_headcount as integer) as starters_headcount,
        {{ exact_measure('leavers_fte') }} as leavers_fte,
        cast(leavers_headcount as integer) as leavers_headcount,
        cast(leavers_to_agency_headcount as integer) as leavers_to_agency_headcount,
        cast(cases_held as integer) as cases_held,
        {{ exact_measure('case_holder_fte') }} as case_holder_fte,

        -- dates and timestamps
        {{ raw_file_metadata_timestamps() }}

    from source

)

select * from renamed
