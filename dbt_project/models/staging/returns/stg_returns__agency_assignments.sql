with

source as (

    select * from {{ source('returns', 'agency_assignments') }}

),

renamed as (

    select
        -- ids
        {{ raw_file_metadata_ids() }},
        assignment_key,
        -- the worker's SWE registration number as a keyed hash (the workforce table's
        -- worker_key, hashed with the same key): NULL in returns from before 2025-10 without it
        swe_registration_number as worker_key,

        -- dimensions
        agency_name,
        grade as local_grade,
        team as local_team,
        coalesce(cast(rate_basis as varchar), 'hourly') as rate_basis,
        cast(reason as varchar) as reason,
        cast(cap_exception_signed_off as boolean) as is_cap_exception_signed_off,
        signed_off_by,
        cast(engagement_model as varchar) as engagement_model,
        cast(is_project_team as boolean) as is_project_team,

        -- measures
        {{ exact_measure('pay_rate') }} as pay_rate,
        {{ exact_measure('charge_rate') }} as charge_rate,
        {{ exact_measure('hours_per_week') }} as hours_per_week,
        {{ exact_measure('employer_ni_hourly') }} as employer_ni_hourly,
        {{ exact_measure('holiday_pay_hourly') }} as holiday_pay_hourly,
        cast(references_received as integer) as references_received,
        {{ exact_measure('notice_period_weeks') }} as notice_period_weeks,

        -- dates
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(signed_off_on as date) as signed_off_on,
        cast(qualified_on as date) as qualified_on,

        -- snapshot and timestamps
        {{ raw_file_metadata_timestamps() }}

    from source

)

select * from renamed
