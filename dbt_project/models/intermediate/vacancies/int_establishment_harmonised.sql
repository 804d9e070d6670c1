-- Translate each council's own grades and teams into regional roles and service areas, with
-- the mapping rows in force on the return's month end (valid_from to valid_to inclusive), so a
-- council's re-grade applies from the first month ending on or after its date.
-- Left joins on purpose: an unmapped grade or team keeps its row with a NULL regional value,
-- and the not_null tests on this model fail loudly instead of the row silently vanishing.
with

establishments as (

    select * from {{ ref('int_establishment_latest') }}

),

grade_role_map as (

    select * from {{ ref('grade_role_map') }}

),

team_service_area_map as (

    select * from {{ ref('team_service_area_map') }}

),

harmonised as (

    select
        -- ids
        establishments.file_sha256,
        establishments.council_code,
        establishments.period,
        establishments.source_row_number,

        -- dimensions
        establishments.local_team,
        establishments.local_grade,
        team_service_area_map.service_area,
        grade_role_map.regional_role,
        grade_role_map.is_newly_qualified,

        -- measures
        establishments.establishment_fte,
        establishments.permanent_fte,
        establishments.agency_fte,
        establishments.agency_vacancy_fte,
        establishments.vacancy_fte,
        establishments.starters_fte,
        establishments.starters_headcount,
        establishments.leavers_fte,
        establishments.leavers_headcount,
        establishments.leavers_to_agency_headcount,
        establishments.cases_held,
        establishments.case_holder_fte,

        -- dates and timestamps
        establishments.month_end_date,
        establishments.received_at

    from establishments
    left join grade_role_map
        on
            establishments.council_code = grade_role_map.council_code
            and establishments.local_grade = grade_role_map.local_grade
            and {{ in_force_on('establishments.month_end_date', 'grade_role_map') }}
    left join team_service_area_map
        on
            establishments.council_code = team_service_area_map.council_code
            and establishments.local_team = team_service_area_map.local_team
            and {{ in_force_on('establishments.month_end_date', 'team_service_area_map') }}

)

select * from harmonised
