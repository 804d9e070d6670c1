with

source as (

    select * from {{ source('returns', 'agency_assignments') }}

),

renamed as (

    select
        -- ids
        {{ raw_file_metadata_ids() }},
        assignment_key,

        -- dimensions
        agency_name,
        grade as local_grade,
        team as local_team,
        coalesce(cast(rate_basis as varchar), 'hourly') as rate_basis,
        cast(reason as varchar) as reason,
        cast(cap_exception_signed_off as boolean) as is_cap_exception_signed_off,
        signed_off_by,

        -- measures
        {{ exact_measure('pay_rate') }} as pay_rate,
        {{ exact_measure('charge_rate') }} as charge_rate,
        {{ exact_measure('hours_per_week') }} as hours_per_week,

        -- dates
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(signed_off_on as date) as signed_off_on,

        -- snapshot and timestamps
        {{ raw_file_metadata_timestamps() }}

    from source

)

select * from renamed
