{#- Portable type names: `dbt.type_string()` and friends. Adapters override
    `<type>__type_*` where their spelling differs. -#}

{% macro type_string() -%}{{ return(adapter.dispatch('type_string', 'dbt')()) }}{%- endmacro %}
{% macro default__type_string() -%}{{ return('text') }}{%- endmacro %}

{% macro type_timestamp() -%}{{ return(adapter.dispatch('type_timestamp', 'dbt')()) }}{%- endmacro %}
{% macro default__type_timestamp() -%}{{ return('timestamp') }}{%- endmacro %}

{% macro type_float() -%}{{ return(adapter.dispatch('type_float', 'dbt')()) }}{%- endmacro %}
{% macro default__type_float() -%}{{ return('float') }}{%- endmacro %}

{% macro type_numeric() -%}{{ return(adapter.dispatch('type_numeric', 'dbt')()) }}{%- endmacro %}
{% macro default__type_numeric() -%}{{ return('numeric(28,6)') }}{%- endmacro %}

{% macro type_bigint() -%}{{ return(adapter.dispatch('type_bigint', 'dbt')()) }}{%- endmacro %}
{% macro default__type_bigint() -%}{{ return('bigint') }}{%- endmacro %}

{% macro type_int() -%}{{ return(adapter.dispatch('type_int', 'dbt')()) }}{%- endmacro %}
{% macro default__type_int() -%}{{ return('integer') }}{%- endmacro %}

{% macro type_boolean() -%}{{ return(adapter.dispatch('type_boolean', 'dbt')()) }}{%- endmacro %}
{% macro default__type_boolean() -%}{{ return('boolean') }}{%- endmacro %}
