with

regional_roles as (

    select * from {{ ref('regional_roles') }}

),

roles as (

    select
        -- ids
        role_code,

        -- dimensions
        role_name,
        dfe_org_role,
        agency_job_type,
        sort_order

    from regional_roles

)

select * from roles
