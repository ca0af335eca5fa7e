package io.atomic4j.mybatis;

import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;

/** The one statement the MyBatis tests need. */
public interface ItemMapper {
    @Insert("INSERT INTO item (id, name) VALUES (#{id}, #{name})")
    int insert(@Param("id") int id, @Param("name") String name);
}
