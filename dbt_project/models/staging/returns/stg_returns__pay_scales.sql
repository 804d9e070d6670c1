with

source as (

    select * from {{ source('returns', 'pay_scales') }}

),

renamed as (

    select
        -- ids
        {{ raw_file_metadata_ids() }},

        -- dimensions
        grade as local_grade,

        -- measures
        {{ exact_measure('salary_min') }} as salary_min,
        {{ exact_measure('salary_max') }} as salary_max,
        {{ exact_measure('weekly_hours') }} as weekly_hours,
        {{ exact_measure('market_supplement') }} as market_supplement,
        {{ exact_measure('recruitment_payment') }} as recruitment_payment,
        {{ exact_measure('retention_payment') }} as retention_payment,

        -- dates
        cast(effective_from as date) as effective_from,

        -- snapshot and timestamps
        {{ raw_file_metadata_timestamps() }}

    from source

)

select * from renamed
