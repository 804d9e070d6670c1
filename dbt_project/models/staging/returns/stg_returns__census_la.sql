with

source as (

    select * from {{ source('returns', 'census_la') }}

),

renamed as (

    select
        -- ids
        {{ raw_file_metadata_ids() }},

        -- measures
        {{ exact_measure('vacancy_fte') }} as vacancy_fte,
        {{ exact_measure('agency_vacancy_fte') }} as agency_vacancy_fte,
        cast(agency_vacancy_headcount as integer) as agency_vacancy_headcount,
        cast(schema_year as integer) as schema_year,

        -- dates
        cast(reference_date as date) as reference_date,

        -- snapshot and timestamps
        {{ raw_file_metadata_timestamps() }}

    from source

)

select * from renamed
