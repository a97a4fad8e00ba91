{#- For {% materialization %} blocks: renders and runs the node's hooks of one
    phase (`transaction` true: inside the build's transaction). -#}
{% macro run_hooks(hooks, inside_transaction=True) -%}
  {%- for hook in hooks -%}
    {%- if hook.get('transaction', True) == inside_transaction -%}
      {%- set rendered = render(hook.get('sql')) | trim -%}
      {%- if rendered | length > 0 -%}
        {%- call statement(auto_begin=inside_transaction) -%}{{ rendered }}{%- endcall -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}
