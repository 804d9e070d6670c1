with

source as (

    select * from {{ source('returns', 'workforce') }}

),

renamed as (

    select
        -- ids
        {{ raw_file_metadata_ids() }},
        worker_key,

        -- dimensions
        cast(is_agency_worker as boolean) as is_agency_worker,
        ethnicity,
        qualification_level,
        cast(org_role as varchar) as org_role,
        cast(start_origin as varchar) as start_origin,
        cast(reason_leave as varchar) as reason_leave,
        cast(leaver_destination as varchar) as leaver_destination,
        cast(absent_at_30_sept as boolean) as is_absent_at_30_sept,
        reason_absence,

        -- measures
        {{ exact_measure('fte') }} as fte,
        {{ exact_measure('fte_30_sept') }} as fte_30_sept,
        cast(cases_30_sept as integer) as cases_30_sept,
        {{ exact_measure('working_days_lost') }} as working_days_lost,
        {{ exact_measure('base_salary') }} as base_salary,

        -- dates
        cast(birth_month as date) as birth_month,
        cast(role_start_date as date) as role_start_date,
        cast(role_end_date as date) as role_end_date,

        -- snapshot and timestamps
        {{ raw_file_metadata_timestamps() }}

    from source

)

select * from renamed
