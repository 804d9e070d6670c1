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
        cast(salary_min as double) as salary_min,
        cast(salary_max as double) as salary_max,
        cast(weekly_hours as double) as weekly_hours,
        cast(market_supplement as double) as market_supplement,
        cast(recruitment_payment as double) as recruitment_payment,
        cast(retention_payment as double) as retention_payment,

        -- dates
        cast(effective_from as date) as effective_from,

        -- snapshot and timestamps
        {{ raw_file_metadata_timestamps() }}

    from source

)

select * from renamed
